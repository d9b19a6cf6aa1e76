import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { EVENTS } from '../../src/log/events.ts';
import { ROOT } from './helpers.ts';

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const CATALOGUE = new Set<string>(Object.values(EVENTS));

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (path.endsWith('.ts')) out.push(path);
  }
  return out;
}

/**
 * Every `log.<level>(fields, msg)` call in src/, with the type the compiler gives its `event` field: a string
 * literal (or union of literals) when the line has a stable name, something else when it does not.
 */
function logCalls(): { where: string; events: string[] | null }[] {
  const files = sourceFiles(join(ROOT, 'src'));
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const calls: { where: string; events: string[] | null }[] = [];
  for (const file of files) {
    const source = program.getSourceFile(file)!;
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        LEVELS.has(node.expression.name.text)
      ) {
        const receiver = checker.getTypeAtLocation(node.expression.expression);
        // Only pino loggers (they have `child` and `level`), not console or other objects with an `info` method.
        if (receiver.getProperty('child') && receiver.getProperty('level')) {
          const where = `${file.slice(ROOT.length)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
          const first = node.arguments[0];
          const event = first ? checker.getTypeAtLocation(first).getProperty('event') : undefined;
          let events: string[] | null = null;
          if (event) {
            const type = checker.getTypeOfSymbolAtLocation(event, first!);
            const parts = type.isUnion() ? type.types : [type];
            if (parts.every((part) => part.isStringLiteral()))
              events = parts.map((part) => (part as ts.StringLiteralType).value);
          }
          calls.push({ where, events });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return calls;
}

describe('the log catalogue', () => {
  const calls = logCalls();

  it('every log line giftbot writes has a stable event name from src/log/events.ts', () => {
    expect(calls.length).toBeGreaterThan(50);
    const withoutEvent = calls.filter((call) => call.events === null).map((call) => call.where);
    expect(withoutEvent, 'log calls whose first argument has no literal `event` field').toEqual([]);
    const unknown = calls.flatMap((call) =>
      (call.events ?? []).filter((e) => !CATALOGUE.has(e)).map((e) => `${call.where}: ${e}`),
    );
    expect(unknown, 'events not in the catalogue').toEqual([]);
  });

  it('docs/logging.md documents every event in the catalogue', () => {
    const doc = readFileSync(join(ROOT, 'docs/logging.md'), 'utf8');
    const missing = [...CATALOGUE].filter((event) => !doc.includes(`\`${event}\``));
    expect(missing, 'events missing from docs/logging.md').toEqual([]);
  });
});
