// Where commands print their human-readable lines: anything with write(text), e.g. process.stdout.

export interface TextOut {
  write(text: string): unknown;
}
