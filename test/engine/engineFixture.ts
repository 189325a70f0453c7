// The labeled lines and model folder the engine facade's tests share.
import path from 'node:path';
import type { Example } from '../../src/engine/types';

export const MODEL_DIR = path.resolve(__dirname, '../../../models');

export const SUPPORT: Example[] = [
  { text: 'my card was charged twice for one purchase', label: 'billing' },
  { text: 'refund the duplicate charge on my invoice', label: 'billing' },
  { text: 'the app crashes when I open settings', label: 'bug' },
  { text: 'error 500 after clicking save', label: 'bug' },
  { text: 'how do I export my data to csv', label: 'question' },
  { text: 'where can I change my password', label: 'question' },
];
