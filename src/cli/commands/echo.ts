/** `gatehouse echo` — placeholder until its issue lands; replaced by the real command. */
export async function run(_argv: string[]): Promise<number> {
  console.error('gatehouse echo: not built yet');
  return 1;
}
