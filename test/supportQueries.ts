// Support-ticket queries: the text of synthetic records whose other fields (ids, dates, enums,
// boilerplate notes) the text-field detection must not take. Shared by the unit and integration tests.
export const SUPPORT_QUERIES: readonly string[] = [
  'how do i get a refund for my order',
  'the app crashes when I open settings',
  'can you change the delivery address please',
  'I was charged twice this month',
  'where is my package, it is late',
  'reset my password, the link expired',
  'cancel the subscription before renewal',
  'why is the invoice missing the VAT number',
];
