import { benchEditor } from './editor.js';
import { benchEngine } from './engine.js';
import { benchHttp } from './http.js';

const benches: Record<string, () => Promise<void>> = { engine: benchEngine, http: benchHttp, editor: benchEditor };

export async function main(args: string[]): Promise<void> {
  const names = args.length ? args : Object.keys(benches);
  for (const name of names) {
    const bench = benches[name];
    if (!bench) {
      process.stderr.write(`unknown benchmark "${name}" (have: ${Object.keys(benches).join(', ')})\n`);
      process.exitCode = 2;
      return;
    }
    await bench();
  }
}
