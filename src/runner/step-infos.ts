// The shipped steps with what each says of itself (title, lesson), for lists such as the dashboard's.
import { STEP_NAMES } from './catalogue.js';
import { loadStep } from './step-file.js';

export interface StepListing {
  name: string;
  title?: string;
  /** What the step changes and what to watch (its lesson). */
  explain?: string;
}

/** Every shipped step in order, read from its lab file's `about`. */
export async function stepListings(): Promise<StepListing[]> {
  const listings: StepListing[] = [];
  for (const name of STEP_NAMES) {
    const step = await loadStep(name, { cwd: process.cwd(), typecheck: false });
    listings.push({ name, title: step.about?.title, explain: step.about?.lesson });
  }
  return listings;
}
