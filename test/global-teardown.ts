/** Per-test databases drop themselves; nothing global to tear down. */
export default async function globalTeardown(): Promise<void> {}
