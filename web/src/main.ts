// Entry of the web UI: switches between the dashboard and the drawing pad and starts each once.
import { Dashboard, DRAW_WITH_EVENT } from './dashboard.js';
import { DrawingPad } from './pad.js';

const TABS = ['dashboard', 'pad'] as const;
type Tab = (typeof TABS)[number];

const started = new Map<Tab, Promise<void>>();
let pad: DrawingPad | null = null;
/** The model the dashboard asked the pad to draw with ("Draw with this model"). */
let padModel: string | undefined;

function show(tab: Tab): void {
  for (const name of TABS) {
    (document.getElementById(name) as HTMLElement).hidden = name !== tab;
    document.querySelector(`nav a[data-tab="${name}"]`)?.classList.toggle('active', name === tab);
  }
  if (tab === 'pad' && pad !== null) {
    void started.get('pad')?.then(() => pad?.refreshModels(padModel));
  }
  if (!started.has(tab)) {
    const starting = tab === 'dashboard' ? new Dashboard().start() : (pad = new DrawingPad()).start(padModel);
    started.set(
      tab,
      starting.then(
        () => document.body.setAttribute(`data-${tab}-ready`, 'true'),
        (error: Error) => document.body.setAttribute(`data-${tab}-error`, error.message),
      ),
    );
  }
}

function route(): void {
  const tab = location.hash.slice(1);
  show((TABS as readonly string[]).includes(tab) ? (tab as Tab) : 'dashboard');
}

window.addEventListener('hashchange', route);
window.addEventListener(DRAW_WITH_EVENT, (event) => {
  padModel = (event as CustomEvent<string>).detail;
  if (location.hash === '#pad') route();
  else location.hash = 'pad';
});
route();
