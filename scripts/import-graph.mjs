// The imports of src/ form a tree (ARCHITECTURE.md §2, Modules); `npm run lint` runs this check.
// Folders: the top-level folders of src/ must not import each other in a cycle, type imports
// included (a type is a dependency of the design), and the few layering rules below hold.
// Files: no cycle of value imports (type-only imports are erased by tsc, so they cannot leave a
// module half-loaded). Unit specs and `.testing.`/`.fixtures.` helpers are left out: a test may
// compose several features. Files directly in src/ (app.module.ts, main.ts, bootstrap.ts) are the
// composition root, folder `.`: a folder importing it closes a cycle.
//
// Usage: node scripts/import-graph.mjs [SRC_DIR]   (default src; `#src/*` resolves to SRC_DIR)
// Prints one line when the graph is a tree; otherwise every problem, with the files behind each
// edge, and exits with 1.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** Layering rules beyond "no cycle" (docs/STYLE: what sits below what). */
const RULES = [
  {
    from: (f) => f !== '.',
    to: (f) => f === 'http',
    why: 'http/ is the REST shell: only the composition root imports it (shared helpers are in common/http/)',
  },
  {
    from: (f) => f === 'rules',
    to: (f) => f === 'alerts',
    why: 'rules announce their conclusions as rule.concluded on the event map (common/events/), which alerts handle',
  },
  {
    from: (f) => f === 'state',
    to: (f) => !STATE_MAY_IMPORT.has(f),
    why: "state/ (every container's state, one owner) sits right above storage: features plug their logic into it, never the reverse",
  },
  {
    from: (f) => KERNEL.has(f),
    to: (f) => !KERNEL.has(f),
    why: 'config/, common/ and contracts/ sit below everything',
  },
];
const KERNEL = new Set(['config', 'common', 'contracts']);
const STATE_MAY_IMPORT = new Set([...KERNEL, 'logging', 'partitions', 'storage', 'state']);

const srcDir = resolve(process.argv[2] ?? 'src');
/** Paths as `src/fleet/x.ts`: from the folder that holds SRC_DIR. */
const shown = (file) => relative(dirname(srcDir), file);

/** The .ts files of the graph (specs and test helpers left out). */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    const counted =
      e.name.endsWith('.ts') &&
      !e.name.endsWith('.d.ts') &&
      !e.name.endsWith('.spec.ts') &&
      !e.name.includes('.testing.') &&
      !e.name.includes('.fixtures.');
    return counted ? [path] : [];
  });
}

/** `src/fleet/x.ts` -> `fleet`; a file directly in src/ -> `.`. */
function folderOf(file) {
  const parts = relative(srcDir, file).split(sep);
  return parts.length > 1 ? parts[0] : '.';
}

/** The file a specifier names inside srcDir (`.js` written, `.ts` on disk), or undefined. */
function resolveSpecifier(spec, fromFile) {
  let base;
  if (spec.startsWith('#src/')) base = join(srcDir, spec.slice('#src/'.length));
  else if (spec.startsWith('.')) base = normalize(join(dirname(fromFile), spec));
  else return undefined;
  const stem = base.replace(/\.(js|ts)$/, '');
  return [`${stem}.ts`, join(stem, 'index.ts')].find((candidate) => existsSync(candidate));
}

/** Every module a file imports or re-exports (static and dynamic), and whether only for types. */
function importsOf(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found = [];
  const add = (specNode, typeOnly) => {
    if (specNode && ts.isStringLiteral(specNode)) found.push({ spec: specNode.text, typeOnly });
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allNamedTypes =
        named !== undefined &&
        ts.isNamedImports(named) &&
        named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly);
      add(
        node.moduleSpecifier,
        clause !== undefined && (clause.isTypeOnly || (!clause.name && allNamedTypes)),
      );
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause;
      const allNamedTypes =
        named !== undefined &&
        ts.isNamedExports(named) &&
        named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, node.isTypeOnly || allNamedTypes);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node)) {
      add(ts.isLiteralTypeNode(node.argument) ? node.argument.literal : undefined, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Strongly connected components of more than one node (Tarjan). */
function cycles(nodes, next) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const out = [];
  let counter = 0;
  const connect = (v) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!index.has(v)) connect(v);
  return out;
}

const files = sourceFiles(srcDir);
/** folder -> folder -> the first importing file and the file it imports. */
const folderEdges = new Map();
/** file -> files it imports for values. */
const valueEdges = new Map();
for (const file of files) {
  const from = folderOf(file);
  const values = new Set();
  for (const { spec, typeOnly } of importsOf(file)) {
    const target = resolveSpecifier(spec, file);
    if (target === undefined) continue;
    if (!typeOnly) values.add(target);
    const to = folderOf(target);
    if (to === from) continue;
    if (!folderEdges.has(from)) folderEdges.set(from, new Map());
    if (!folderEdges.get(from).has(to)) folderEdges.get(from).set(to, { file, target });
  }
  valueEdges.set(file, values);
}

const problems = [];
const via = (from, to) => {
  const { file, target } = folderEdges.get(from).get(to);
  return `${from} -> ${to} (${shown(file)} imports ${shown(target)})`;
};
const folders = new Set(files.map(folderOf));
for (const component of cycles(folders, (f) => folderEdges.get(f)?.keys() ?? [])) {
  const members = new Set(component);
  const inside = component.flatMap((from) =>
    [...(folderEdges.get(from)?.keys() ?? [])].filter((to) => members.has(to)).map((to) => via(from, to)),
  );
  problems.push(`folder cycle: ${component.join(' ')}\n    ${inside.join('\n    ')}`);
}
for (const [from, targets] of folderEdges) {
  for (const to of targets.keys()) {
    const broken = RULES.find((rule) => rule.from(from) && rule.to(to));
    if (broken) problems.push(`forbidden: ${via(from, to)}: ${broken.why}`);
  }
}
for (const component of cycles(valueEdges.keys(), (f) => valueEdges.get(f) ?? [])) {
  problems.push(`file cycle (value imports): ${component.map(shown).join(' ')}`);
}

if (problems.length > 0) {
  process.stdout.write(`import graph of ${shown(srcDir)}: ${problems.length} problem(s)\n`);
  for (const problem of problems) process.stdout.write(`  ${problem}\n`);
  process.exitCode = 1;
} else {
  process.stdout.write(
    `import graph of ${shown(srcDir)}: ${files.length} files in ${folders.size} folders, no cycle\n`,
  );
}
