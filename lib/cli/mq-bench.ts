/** Entry point placeholder until its issue lands. */
export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('not yet: this command arrives with its issue\n');
  return 1;
}
