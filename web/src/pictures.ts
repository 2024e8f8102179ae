// A run's pictures on the dashboard: the report's catalogue order, each with its title and caption, packed in a grid.
import { PICTURE_ORDER, PICTURES } from '../../src/viz/picture-catalogue.js';

/** Rows of digits and the curves need the full width; the square charts share a row. */
const WIDE = new Set<string>([
  PICTURES.curves.name,
  PICTURES.weights.name,
  PICTURES.trainingDigits.name,
  PICTURES.validationDigits.name,
  PICTURES.fontDigits.name,
  PICTURES.predictions.name,
  PICTURES.confidentMistakes.name,
]);

/** Figures for the run's PNG files: catalogued ones first in report order, any others after, by name. */
export function pictureFigures(runId: string, files: string[]): HTMLElement[] {
  const stamp = Date.now();
  const available = new Set(files);
  const catalogued = PICTURE_ORDER.map((key) => PICTURES[key]).filter((entry) => available.has(`${entry.name}.png`));
  const known = new Set(catalogued.map((entry) => `${entry.name}.png`));
  const others = files.filter((file) => !known.has(file)).map((file) => ({ name: file.replace(/\.png$/, ''), title: file, caption: '' }));
  return [...catalogued, ...others].map((entry) => {
    const figure = document.createElement('figure');
    figure.className = WIDE.has(entry.name) ? 'picture wide' : 'picture';
    const link = document.createElement('a');
    link.href = `/api/runs/${encodeURIComponent(runId)}/pictures/${encodeURIComponent(`${entry.name}.png`)}?t=${stamp}`;
    link.target = '_blank';
    const image = document.createElement('img');
    image.alt = `${entry.name}.png`;
    image.src = link.href;
    image.loading = 'lazy';
    link.append(image);
    const caption = document.createElement('figcaption');
    caption.innerHTML = '<strong></strong> <span></span>';
    (caption.querySelector('strong') as HTMLElement).textContent = entry.title;
    (caption.querySelector('span') as HTMLElement).textContent = entry.caption;
    figure.append(caption, link);
    return figure;
  });
}
