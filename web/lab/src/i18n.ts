// The lab page's words in English and Hebrew, and switching the page's language and direction.
import { ENGLISH_CHART_LABELS, type ChartLabels } from '../../src/charts.js';

export const LANGUAGES = ['en', 'he'] as const;
export type Language = (typeof LANGUAGES)[number];

const ENGLISH = {
  languageName: 'English',
  title: 'mnist-lab: the lab in your browser',
  tagline: 'TensorFlow, Keras and deep learning, without a PhD: every step trains here, in this page.',
  language: 'Language',
  engine: 'Engine',
  engineAuto: 'fastest that works',
  engineStarting: 'starting the engines…',
  engineNone: 'no engine starts in this browser',
  engineUnavailable: 'unavailable',
  engineSoftware: 'software GPU',
  steps: 'Steps',
  lesson: 'Lesson',
  code: 'Code',
  train: 'Train',
  pause: 'Pause',
  resume: 'Resume',
  stop: 'Stop',
  reset: 'Reset to the original',
  edited: 'edited',
  curves: 'Curves',
  predictions: 'Predictions',
  predictionsEmpty: 'After training: test digits, mistakes first and in red.',
  confusion: 'Confusion matrix',
  confusionEmpty: 'After training: which digit is taken for which.',
  models: 'Trained models',
  modelsEmpty: 'Models you train are kept in this browser and listed here.',
  pad: 'Drawing pad',
  padEmpty: 'Train a model, then draw a digit for it here.',
  log: 'Log',
  idle: 'ready',
  transforming: 'reading the code…',
  running: 'training',
  paused: 'paused',
  stopping: 'stopping…',
  completed: 'done in {seconds} s',
  stopped: 'stopped after {seconds} s',
  failed: 'failed',
  dataLoading: 'loading {dataset}…',
  dataReady: '{dataset} ready',
  dataFromCache: '{dataset} ready (from this browser’s cache)',
  dataUnverified: '{dataset} ready, checksums not checked: this page is not a secure context (use https or localhost)',
  syntaxError: 'Syntax error at line {line}, column {column}: {message}',
  runtimeError: 'Error at line {line}: {message}',
  error: 'Error: {message}',
  hint: 'Hint: {hint}',
  stepStatus: 'Step {step} of {steps}',
  epochProgress: 'epoch {epoch}/{epochs}',
  tensors: '{count} tensors',
  charts: ENGLISH_CHART_LABELS,
  stepTitles: {
    plumbing: 'A tiny model (the worker plumbing)',
    '01-softmax': 'One dense layer with softmax',
    '02-sigmoid': 'Five layers with sigmoid',
    '03-relu-adam': 'ReLU and the Adam optimiser',
    '04-adam-fast': 'A faster learning rate',
    '05-lr-decay': 'Learning-rate decay',
    '06-deeper': 'Going deeper',
    '07-dense-dropout': 'Dropout',
    '08-conv': 'A convolutional network',
    '09-conv-dropout': 'Convolutions and dropout',
    '10-conv-bn': 'Batch normalisation',
    mlengine: 'The mlengine model',
  } as Record<string, string>,
  lessons: {
    plumbing:
      'A single dense layer trained for a few batches on 2,000 digits, to show the machinery: your code runs in a Web Worker, the curves come live, and Pause and Stop work between batches. Change the code and press Train; make a mistake and see it reported with its line.',
  } as Record<string, string>,
  lessonMissing: 'The lesson for this step comes with the lab files.',
};

type Strings = typeof ENGLISH;

const HEBREW: Strings = {
  languageName: 'עברית',
  title: 'mnist-lab: המעבדה בדפדפן שלך',
  tagline: 'TensorFlow, Keras ולמידה עמוקה, בלי דוקטורט: כל שלב מתאמן כאן, בדף הזה.',
  language: 'שפה',
  engine: 'מנוע',
  engineAuto: 'המהיר ביותר שעובד',
  engineStarting: 'מפעילים את המנועים…',
  engineNone: 'אף מנוע אינו עולה בדפדפן הזה',
  engineUnavailable: 'לא זמין',
  engineSoftware: 'GPU בתוכנה',
  steps: 'שלבים',
  lesson: 'שיעור',
  code: 'קוד',
  train: 'אימון',
  pause: 'השהיה',
  resume: 'המשך',
  stop: 'עצירה',
  reset: 'חזרה למקור',
  edited: 'נערך',
  curves: 'עקומות',
  predictions: 'תחזיות',
  predictionsEmpty: 'אחרי האימון: ספרות מבחן, הטעויות ראשונות ובאדום.',
  confusion: 'מטריצת בלבול',
  confusionEmpty: 'אחרי האימון: איזו ספרה נחשבת לאיזו.',
  models: 'מודלים מאומנים',
  modelsEmpty: 'המודלים שתאמנו נשמרים בדפדפן הזה ומופיעים כאן.',
  pad: 'לוח ציור',
  padEmpty: 'אמנו מודל, ואז ציירו לו כאן ספרה.',
  log: 'יומן',
  idle: 'מוכן',
  transforming: 'קוראים את הקוד…',
  running: 'מתאמן',
  paused: 'מושהה',
  stopping: 'עוצרים…',
  completed: 'הסתיים תוך {seconds} שניות',
  stopped: 'נעצר אחרי {seconds} שניות',
  failed: 'נכשל',
  dataLoading: 'טוענים את {dataset}…',
  dataReady: '{dataset} מוכן',
  dataFromCache: '{dataset} מוכן (מהמטמון של הדפדפן)',
  dataUnverified: '{dataset} מוכן, בלי בדיקת סיכומי ביקורת: הדף אינו בהקשר מאובטח (השתמשו ב-https או ב-localhost)',
  syntaxError: 'שגיאת תחביר בשורה {line}, עמודה {column}: {message}',
  runtimeError: 'שגיאה בשורה {line}: {message}',
  error: 'שגיאה: {message}',
  hint: 'רמז: {hint}',
  stepStatus: 'שלב {step} מתוך {steps}',
  epochProgress: 'אפוק {epoch}/{epochs}',
  tensors: '{count} טנזורים',
  charts: {
    loss: 'הפסד',
    accuracy: 'דיוק',
    learningRate: 'קצב למידה',
    batches: 'אימון (מנות)',
    epochs: 'אימון (אפוק)',
    validation: 'תיקוף (קבוצת המבחן)',
    epoch: 'אפוק',
    rtl: true,
    zoomNotes: false,
  } satisfies ChartLabels,
  stepTitles: {
    plumbing: 'מודל זעיר (בדיקת הצנרת)',
    '01-softmax': 'שכבה צפופה אחת עם softmax',
    '02-sigmoid': 'חמש שכבות עם sigmoid',
    '03-relu-adam': 'ReLU והאופטימייזר Adam',
    '04-adam-fast': 'קצב למידה מהיר יותר',
    '05-lr-decay': 'דעיכת קצב הלמידה',
    '06-deeper': 'לעומק',
    '07-dense-dropout': 'Dropout',
    '08-conv': 'רשת קונבולוציה',
    '09-conv-dropout': 'קונבולוציות ו-dropout',
    '10-conv-bn': 'נרמול מנות (batch norm)',
    mlengine: 'המודל של mlengine',
  },
  lessons: {
    plumbing:
      'שכבה צפופה אחת שמתאמנת כמה מנות על 2,000 ספרות, כדי להראות את המנגנון: הקוד שלכם רץ ב-Web Worker, העקומות מגיעות בזמן אמת, והשהיה ועצירה פועלות בין מנה למנה. שנו את הקוד ולחצו "אימון"; טעו, ותראו את השגיאה עם מספר השורה.',
  },
  lessonMissing: 'השיעור לשלב הזה יגיע עם קבצי המעבדה.',
};

const STRINGS: Record<Language, Strings> = { en: ENGLISH, he: HEBREW };

/** Keys of the plain (one-line, fillable) strings. */
export type TextKey = { [K in keyof Strings]: Strings[K] extends string ? K : never }[keyof Strings];

let language: Language = 'en';

export const currentLanguage = (): Language => language;
export const strings = (): Strings => STRINGS[language];

/** Left-to-right isolates: a number or a name inside Hebrew text keeps its own order (LRI … PDI). */
const isolate = (value: string | number): string => `\u2066${value}\u2069`;

/** The string `key` with each `{name}` filled from `values`, every value isolated left to right. */
export function text(key: TextKey, values: Record<string, string | number> = {}): string {
  return STRINGS[language][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? isolate(values[name]) : whole));
}

export function isLanguage(value: string | null): value is Language {
  return (LANGUAGES as readonly string[]).includes(value ?? '');
}

/** Sets the language, the document's `lang` and `dir`, and every element marked `data-text="<key>"`. */
export function setLanguage(next: Language): void {
  language = next;
  const root = document.documentElement;
  root.lang = next;
  root.dir = next === 'he' ? 'rtl' : 'ltr';
  for (const element of Array.from(document.querySelectorAll<HTMLElement>('[data-text]'))) {
    element.textContent = text(element.dataset.text as TextKey);
  }
}
