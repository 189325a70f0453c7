import { TemplateError } from '../messageTemplate';

/** A problem with an input file the user can fix; the message (or its template) names the file (and line). */
export class DataError extends TemplateError {
  override name = 'DataError';
}
