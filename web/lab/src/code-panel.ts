// The code panel: a step's lab file in CodeMirror (TypeScript highlighting, editing), reset, and an error line marked.
import { javascript } from '@codemirror/lang-javascript';
import { EditorState, StateEffect, StateField } from '@codemirror/state';
import { Decoration, type DecorationSet } from '@codemirror/view';
import { basicSetup, EditorView } from 'codemirror';

/** Marks one line (1-based) as the error's, or clears the mark with null. */
const markLine = StateEffect.define<number | null>();

const errorLine = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, transaction) {
    // An edit clears the mark: the line it pointed at may have moved or been fixed.
    if (transaction.docChanged) marks = Decoration.none;
    for (const effect of transaction.effects) {
      if (!effect.is(markLine)) continue;
      const line = effect.value;
      marks =
        line === null || line < 1 || line > transaction.state.doc.lines
          ? Decoration.none
          : Decoration.set([Decoration.line({ class: 'cm-error-line' }).range(transaction.state.doc.line(line).from)]);
    }
    return marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});

export class CodePanel {
  private readonly view: EditorView;
  private original = '';

  /** `onEdit` hears whether the text now differs from the step's original. */
  constructor(parent: HTMLElement, onEdit: (edited: boolean) => void) {
    this.view = new EditorView({
      parent,
      state: this.state(''),
      dispatch: (transaction, view) => {
        view.update([transaction]);
        if (transaction.docChanged) onEdit(this.text !== this.original);
      },
    });
  }

  private state(doc: string): EditorState {
    return EditorState.create({ doc, extensions: [basicSetup, javascript({ typescript: true }), errorLine] });
  }

  get text(): string {
    return this.view.state.doc.toString();
  }

  /** Shows a step's file: `text` is what the learner last had (their edit), `original` the lab file. */
  show(original: string, text = original): void {
    this.original = original;
    this.view.setState(this.state(text));
  }

  reset(): void {
    this.show(this.original);
  }

  /** Marks `line` and scrolls it into view; null clears the mark. */
  markError(line: number | null): void {
    const effects: StateEffect<unknown>[] = [markLine.of(line)];
    if (line !== null && line >= 1 && line <= this.view.state.doc.lines) {
      effects.push(EditorView.scrollIntoView(this.view.state.doc.line(line).from, { y: 'center' }));
    }
    this.view.dispatch({ effects });
  }
}
