/** A problem with an input file the user can fix; the message names the file (and line). */
export class DataError extends Error {
  override name = 'DataError';
}
