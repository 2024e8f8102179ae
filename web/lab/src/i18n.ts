// The lab page's words in English and Hebrew, and switching the page's language and direction.
import type { StepInfo } from '../../../src/run/schema.js';
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
  wasmSimd: 'SIMD',
  wasmNoSimd: 'no SIMD',
  wasmThreaded: 'threaded build',
  wasmSingle: 'single-threaded build',
  wasmNotIsolated: 'not cross-origin isolated: single-threaded build',
  wasmThreads: 'threads: {count}',
  steps: 'Steps',
  code: 'Code',
  train: 'Train',
  pause: 'Pause',
  resume: 'Resume',
  stop: 'Stop',
  reset: 'Reset to the original',
  check: 'Check the engines',
  checkTitle: 'One training step of this model on every engine that started here and on TF.js cpu, from the same weights: do loss and gradients agree?',
  edited: 'edited',
  settings: 'Run settings',
  settingsHint: 'Shorten a run as the flags of mnist-lab run do; leave a box empty for the file’s own value.',
  dataset: 'Dataset',
  epochs: 'Epochs',
  stepsPerEpoch: 'Steps per epoch at most',
  limit: 'Training digits',
  valLimit: 'Validation digits',
  batchSize: 'Batch size',
  settingsError: '{name} must be a whole number from {min} to {max}; got {value}',
  curves: 'Curves',
  predictions: 'Predictions',
  predictionsEmpty: 'After each epoch: validation digits, mistakes first and in red.',
  predictionsCaption: '{errors} of {count} validation digits predicted wrong (mistakes first, in red)',
  fontDigits: 'Digits from fonts: {right} of {count} right',
  confusion: 'Confusion matrix',
  confusionEmpty: 'After each epoch: which digit is taken for which.',
  confusionCaption: '{errors} errors in {count} validation digits',
  predictedClass: 'predicted class',
  trueClass: 'true class',
  models: 'Trained models',
  modelsEmpty: 'Models you train are kept in this browser and listed here.',
  modelStep: 'Step',
  modelEngine: 'Engine',
  modelEpochs: 'Epochs',
  modelAccuracy: 'Validation accuracy',
  modelSpeed: 'Images/s',
  modelTime: 'Trained',
  modelCompare: 'Compare',
  modelStopped: 'stopped',
  modelEdited: 'edited',
  draw: 'Draw',
  download: 'Download',
  forget: 'Delete',
  compareTitle: 'Validation accuracy per epoch',
  compareAxis: 'validation accuracy',
  pad: 'Drawing pad',
  padEmpty: 'Train a model, then draw a digit for it here.',
  padModel: 'Model',
  padCanvas: 'drawing pad: draw a digit with the mouse or a finger',
  padClear: 'Clear',
  padPrompt: 'draw a digit',
  padPrediction: '{digit} ({percent}%)',
  log: 'Log',
  idle: 'ready',
  transforming: 'reading the code…',
  running: 'training',
  paused: 'paused',
  stopping: 'stopping…',
  completed: 'done in {seconds} s',
  stopped: 'stopped after {seconds} s',
  failed: 'failed',
  checkResult: '{engines} against cpu: losses differ by at most {loss}, gradients by at most {gradients} of the largest',
  dataLoading: 'loading {dataset}…',
  dataReady: '{dataset} ready',
  dataFromCache: '{dataset} ready (from this browser’s cache)',
  dataUnverified: '{dataset} ready, checksums not checked: this page is not a secure context (use https or localhost)',
  syntaxError: 'Syntax error at line {line}, column {column}: {message}',
  runtimeError: 'Error at line {line}: {message}',
  error: 'Error: {message}',
  hint: 'Hint: {hint}',
  stepStatus: 'Step {step} of {steps} · {source}',
  codelabSays: 'The codelab says:',
  passBar: 'Pass bar: {bar} test accuracy (mean over seeds).',
  noAbout: 'This file says nothing about itself (no `about` export).',
  epochProgress: 'epoch {epoch}/{epochs}',
  tensors: '{count} tensors',
  charts: ENGLISH_CHART_LABELS,
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
  wasmSimd: 'SIMD',
  wasmNoSimd: 'בלי SIMD',
  wasmThreaded: 'בנייה מרובת תהליכונים',
  wasmSingle: 'בנייה בתהליכון יחיד',
  wasmNotIsolated: 'הדף אינו מבודד בין מקורות (cross-origin isolated): בנייה בתהליכון יחיד',
  wasmThreads: 'תהליכונים: {count}',
  steps: 'שלבים',
  code: 'קוד',
  train: 'אימון',
  pause: 'השהיה',
  resume: 'המשך',
  stop: 'עצירה',
  reset: 'חזרה למקור',
  check: 'בדיקת המנועים',
  checkTitle: 'צעד אימון אחד של המודל הזה על כל מנוע שעלה כאן ועל ה-cpu של TF.js, מאותם משקלים: האם ההפסד והגרדיאנטים מסכימים?',
  edited: 'נערך',
  settings: 'הגדרות ההרצה',
  settingsHint: 'קיצור הרצה, כמו הדגלים של mnist-lab run; תיבה ריקה: הערך שבקובץ.',
  dataset: 'מאגר נתונים',
  epochs: 'אפוקים',
  stepsPerEpoch: 'צעדים לאפוק לכל היותר',
  limit: 'ספרות אימון',
  valLimit: 'ספרות תיקוף',
  batchSize: 'גודל מנה',
  settingsError: '{name} צריך להיות מספר שלם מ-{min} עד {max}; התקבל {value}',
  curves: 'עקומות',
  predictions: 'תחזיות',
  predictionsEmpty: 'אחרי כל אפוק: ספרות התיקוף, הטעויות ראשונות ובאדום.',
  predictionsCaption: '{errors} מתוך {count} ספרות תיקוף נחזו לא נכון (הטעויות ראשונות, באדום)',
  fontDigits: 'ספרות מגופנים: {right} מתוך {count} נכונות',
  confusion: 'מטריצת בלבול',
  confusionEmpty: 'אחרי כל אפוק: איזו ספרה נחשבת לאיזו.',
  confusionCaption: '{errors} טעויות ב-{count} ספרות תיקוף',
  predictedClass: 'המחלקה החזויה',
  trueClass: 'המחלקה האמיתית',
  models: 'מודלים מאומנים',
  modelsEmpty: 'המודלים שתאמנו נשמרים בדפדפן הזה ומופיעים כאן.',
  modelStep: 'שלב',
  modelEngine: 'מנוע',
  modelEpochs: 'אפוקים',
  modelAccuracy: 'דיוק תיקוף',
  modelSpeed: 'תמונות/שנייה',
  modelTime: 'אומן',
  modelCompare: 'השוואה',
  modelStopped: 'נעצר',
  modelEdited: 'נערך',
  draw: 'ציור',
  download: 'הורדה',
  forget: 'מחיקה',
  compareTitle: 'דיוק התיקוף בכל אפוק',
  compareAxis: 'דיוק תיקוף',
  pad: 'לוח ציור',
  padEmpty: 'אמנו מודל, ואז ציירו לו כאן ספרה.',
  padModel: 'מודל',
  padCanvas: 'לוח ציור: ציירו ספרה בעכבר או באצבע',
  padClear: 'ניקוי',
  padPrompt: 'ציירו ספרה',
  padPrediction: '{digit} ({percent}%)',
  log: 'יומן',
  idle: 'מוכן',
  transforming: 'קוראים את הקוד…',
  running: 'מתאמן',
  paused: 'מושהה',
  stopping: 'עוצרים…',
  completed: 'הסתיים תוך {seconds} שניות',
  stopped: 'נעצר אחרי {seconds} שניות',
  failed: 'נכשל',
  checkResult: '{engines} מול cpu: ההפסדים שונים לכל היותר ב-{loss}, הגרדיאנטים לכל היותר ב-{gradients} מהגדול שבהם',
  dataLoading: 'טוענים את {dataset}…',
  dataReady: '{dataset} מוכן',
  dataFromCache: '{dataset} מוכן (מהמטמון של הדפדפן)',
  dataUnverified: '{dataset} מוכן, בלי בדיקת סיכומי ביקורת: הדף אינו בהקשר מאובטח (השתמשו ב-https או ב-localhost)',
  syntaxError: 'שגיאת תחביר בשורה {line}, עמודה {column}: {message}',
  runtimeError: 'שגיאה בשורה {line}: {message}',
  error: 'שגיאה: {message}',
  hint: 'רמז: {hint}',
  stepStatus: 'שלב {step} מתוך {steps} · {source}',
  codelabSays: 'בקודלאב:',
  passBar: 'רף המעבר: דיוק מבחן {bar} (ממוצע על פני זרעים).',
  noAbout: 'הקובץ לא מספר דבר על עצמו (אין בו ייצוא about).',
  epochProgress: 'אפוק {epoch}/{epochs}',
  tensors: '{count} טנזורים',
  charts: {
    loss: 'הפסד',
    accuracy: 'דיוק',
    learningRate: 'קצב למידה',
    planned: 'מתוכנן',
    batches: 'אימון (מנות)',
    epochs: 'אימון (אפוק)',
    validation: 'תיקוף (קבוצת המבחן)',
    epoch: 'אפוק',
    rtl: true,
    zoomNotes: false,
  } satisfies ChartLabels,
};

const STRINGS: Record<Language, Strings> = { en: ENGLISH, he: HEBREW };

/** Keys of the plain (one-line, fillable) strings. */
export type TextKey = { [K in keyof Strings]: Strings[K] extends string ? K : never }[keyof Strings];

let language: Language = 'en';

/** A language's own name for itself, for the language menu. */
export const languageName = (lang: Language): string => STRINGS[lang].languageName;
export const strings = (): Strings => STRINGS[language];

/** Left-to-right isolates: a number or a name inside Hebrew text keeps its own order (LRI … PDI). */
const isolate = (value: string | number): string => `\u2066${value}\u2069`;

/** The string `key` with each `{name}` filled from `values`, every value isolated left to right. */
export function text(key: TextKey, values: Record<string, string | number> = {}): string {
  return STRINGS[language][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? isolate(values[name]) : whole));
}

/**
 * Hebrew prose with its Latin words, flags and numbers isolated left to right ("val_acc 0.9770", "28x28", "lr0 + lr1",
 * "--hp-epochs 40"),
 * so that punctuation between them keeps its order; other text as it is.
 */
export function isolateLatin(prose: string): string {
  if (language !== 'he') return prose;
  return prose.replace(/(?:--)?[A-Za-z0-9_.][A-Za-z0-9_.,:%+\-x×/ ]*[A-Za-z0-9_%]|[A-Za-z0-9]/g, (run) => isolate(run));
}

/** A step's title, codelab number and lesson in the page's language (the file's own English when it has no translation). */
export function stepText(about: StepInfo): { title: string; codelab: string; lesson: string } {
  const own = language === 'en' ? undefined : about.translations?.[language];
  const chosen = own ?? about;
  return { title: isolateLatin(chosen.title), codelab: isolateLatin(chosen.codelab), lesson: isolateLatin(chosen.lesson) };
}

export function isLanguage(value: string | null): value is Language {
  return (LANGUAGES as readonly string[]).includes(value ?? '');
}

/** Sets the language, the document's `lang` and `dir`, and every element marked `data-text="<key>"` (its title:
 * `data-title`, its accessible name: `data-label`). */
export function setLanguage(next: Language): void {
  language = next;
  const root = document.documentElement;
  root.lang = next;
  root.dir = next === 'he' ? 'rtl' : 'ltr';
  for (const element of Array.from(document.querySelectorAll<HTMLElement>('[data-text]'))) {
    element.textContent = text(element.dataset.text as TextKey);
  }
  for (const element of Array.from(document.querySelectorAll<HTMLElement>('[data-title]'))) {
    element.title = text(element.dataset.title as TextKey);
  }
  for (const element of Array.from(document.querySelectorAll<HTMLElement>('[data-label]'))) {
    element.setAttribute('aria-label', text(element.dataset.label as TextKey));
  }
}
