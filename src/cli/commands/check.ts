/** `gatehouse check` — placeholder until its issue lands; replaced by the real command. */
export async function run(_argv: string[]): Promise<number> {
  console.error('gatehouse check: not built yet');
  return 1;
}
