import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every TypeScript module under `folder`, with the project modules it imports (type-only imports too). */
function moduleGraph(folders: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(folder, entry.name)) : entry.name.endsWith('.ts') ? [join(folder, entry.name)] : []));
  for (const file of folders.flatMap((folder) => walk(join(ROOT, folder)))) {
    const imports = [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\b[^;]*?from '(\.[^']+)'/gms)].map((m) => relative(ROOT, resolve(dirname(file), `${m[1]}.ts`)));
    graph.set(relative(ROOT, file), imports);
  }
  return graph;
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (module: string, path: string[]) => {
    if (state.get(module) === 'done') return;
    if (state.get(module) === 'open') {
      found.push([...path.slice(path.indexOf(module)), module]);
      return;
    }
    state.set(module, 'open');
    for (const next of graph.get(module) ?? []) if (graph.has(next)) visit(next, [...path, module]);
    state.set(module, 'done');
  };
  for (const module of graph.keys()) visit(module, []);
  return found;
}

describe('the module graph', () => {
  const graph = moduleGraph(['lambdas', 'lib', 'ops', 'bench', 'local', 'scripts']);

  test('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  test('the domain imports no store, handler or AWS SDK: it declares the ports it needs', () => {
    const domain = [...graph].filter(([module]) => module.startsWith('lambdas/domain/'));
    expect(domain.length).toBeGreaterThan(10);
    const outward = domain.flatMap(([module, imports]) => imports.filter((i) => /^lambdas\/(store|handlers)\//.test(i)).map((i) => `${module} → ${i}`));
    expect(outward).toEqual([]);
    const sdk = domain.filter(([module]) => /from '@aws-sdk\//.test(readFileSync(join(ROOT, module), 'utf8'))).map(([module]) => module);
    expect(sdk).toEqual([]);
  });
});
