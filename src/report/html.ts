// Small HTML building blocks for the self-contained report pages: escaping, tables, inlined images, the page shell.
import { PAGE_MARKER } from '../run/layout.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** A table cell; `{text, href}` is a link (the href is escaped, so it must be a relative or http URL). */
export type Cell = string | number | null | undefined | { text: string; href: string };

/** Integers get thousands separators (354,538); other values print as they are. */
function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return '—';
  if (typeof cell === 'object') return `<a href="${escapeHtml(cell.href)}">${escapeHtml(cell.text)}</a>`;
  return escapeHtml(typeof cell === 'number' && Number.isInteger(cell) ? cell.toLocaleString('en-US') : String(cell));
}

/** A table with a header row; numbers are right-aligned. */
export function htmlTable(headers: readonly string[], rows: readonly Cell[][]): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((c) => `<td${typeof c === 'number' ? ' class="num"' : ''}>${cellText(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** Two columns: name and value. */
export function keyValueTable(entries: readonly [string, Cell][]): string {
  return htmlTable(['', ''], entries.map(([k, v]) => [k, v])).replace('<thead><tr><th></th><th></th></tr></thead>\n', '');
}

/** A PNG inlined as a data URI, so the page needs no other file. */
export function inlinePng(png: Buffer, alt: string): string {
  return `<img alt="${escapeHtml(alt)}" src="data:image/png;base64,${png.toString('base64')}">`;
}

const STYLE = `
body { font-family: "DejaVu Sans", Verdana, sans-serif; background: #F0F0F0; color: #222; margin: 2em auto; max-width: 1400px; padding: 0 1em; }
h1, h2, h3 { color: #a8151a; font-weight: normal; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; background: #F8F8F8; }
th, td { border: 1px solid #d0d0d0; padding: 0.25em 0.7em; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1em 0 2em; }
figure img { max-width: 100%; border: 1px solid #d0d0d0; }
figcaption { color: #555; margin-top: 0.3em; }
pre { background: #F8F8F8; padding: 0.8em; border: 1px solid #d0d0d0; overflow-x: auto; }
.note { background: #fff8e6; border-left: 4px solid #ff7f0e; padding: 0.6em 1em; }
`;

/** A complete HTML document with the report style; `body` is trusted HTML built with the helpers above. */
export function htmlPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
${PAGE_MARKER}
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
