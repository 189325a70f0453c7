// Reference methods from the `natural` package: they train on the support texts alone.
import type { TextMethod, TextPredictor } from './methods';
import { charTfidf } from './charTfidf';

/** The part of natural's classifier API used here (its bundled typings cover only the whole package). */
interface NaturalClassifier {
  addDocument(text: string, label: string): void;
  train(): void;
  classify(text: string): string;
}
type NaturalClassifierClass = new () => NaturalClassifier;

// Load only the two classifier modules: the package index pulls in WordNet, taggers and more,
// which costs start-up time for nothing.
function loadNatural(which: 'bayes' | 'logreg'): NaturalClassifierClass {
  return which === 'bayes'
    ? (require('natural/lib/natural/classifiers/bayes_classifier') as NaturalClassifierClass)
    : (require('natural/lib/natural/classifiers/logistic_regression_classifier') as NaturalClassifierClass);
}

function naturalMethod(name: string, which: 'bayes' | 'logreg'): TextMethod {
  return {
    name,
    transductive: false,
    adaptText(texts, labels): TextPredictor {
      const classifier = new (loadNatural(which))();
      texts.forEach((text, i) => {
        classifier.addDocument(text, String(labels[i]));
      });
      try {
        classifier.train();
      } catch {
        // apparatus sometimes gives up ('unable to find minimum', thrown as a bare string). A user
        // of natural would get no classifier at all: every query of the episode counts as wrong.
        return (queries) => new Int32Array(queries.length).fill(-1);
      }
      return (queries) =>
        Int32Array.from(queries, (text) => {
          // Lines made only of stop words have no features; natural then answers undefined.
          const label = Number.parseInt(String(classifier.classify(text)), 10);
          return Number.isInteger(label) ? label : -1;
        });
    },
  };
}

/** natural's multinomial naive Bayes over Porter-stemmed words (stop words removed). */
export const naturalBayes = (): TextMethod => naturalMethod('natural-bayes', 'bayes');
/** natural's one-vs-rest logistic regression (apparatus, gradient descent on binary word features). */
export const naturalLogreg = (): TextMethod => naturalMethod('natural-logreg', 'logreg');

export const PEER_METHODS: Record<string, () => TextMethod> = {
  'natural-bayes': naturalBayes,
  'natural-logreg': naturalLogreg,
  'char-tfidf': charTfidf,
};
