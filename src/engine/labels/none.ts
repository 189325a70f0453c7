/**
 * The built-in label for lines that fit no label. It is stored in label files like any other label
 * (so older readers keep it as an ordinary name), the engine trains on it as the negative class and
 * reports it for lines unlike every label, and the extension shows such lines as "fits no label".
 * One name shared by the engine, the worker and the extension.
 */
export const NONE_LABEL = 'none';

/** Whether a label name is the built-in `none` label. */
export function isNoneLabel(label: string): boolean {
  return label === NONE_LABEL;
}
