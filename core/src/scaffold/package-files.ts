import type { ComponentKind } from '../api/component';
import type { KindTemplate, TemplateNames } from './templates';

/** The version every new plugin starts at. */
export const FIRST_VERSION = '0.1.0';

export interface PackageFileOptions {
  names: TemplateNames;
  kind: ComponentKind;
  template: KindTemplate;
  /** The peer range on @flowcast/core: what the plugin is made for. */
  peerRange: string;
  /** What npm installs as @flowcast/core for building and testing (a version range or `file:…`). */
  coreDependency: string;
}

/** The file name `npm pack` gives a package: `@acme/x` → `acme-x-0.1.0.tgz`. */
export function tarballName(packageName: string, version = FIRST_VERSION): string {
  return `${packageName.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

export function packageJson(o: PackageFileOptions): string {
  const json = {
    name: o.names.packageName,
    version: FIRST_VERSION,
    description: o.template.summary,
    license: 'MIT',
    keywords: ['flowcast-plugin'],
    main: 'dist/src/index.js',
    types: 'dist/src/index.d.ts',
    files: ['dist/src', 'README.md'],
    flowcast: { manifest: 'dist/src/index.js' },
    engines: { node: '>=20' },
    scripts: {
      build: 'tsc -p .',
      test: 'npm run build && node --test dist/test/*.test.js',
      prepack: 'npm run build',
    },
    // A peer, never a dependency: the plugin must use the host's core, or DI fails (two containers).
    peerDependencies: { '@flowcast/core': o.peerRange },
    devDependencies: { '@flowcast/core': o.coreDependency, '@types/node': '^20', typescript: '~5.9.3' },
  };
  return JSON.stringify(json, null, 2) + '\n';
}

/** Standalone: nothing here may point into a Flowcast checkout. */
export function tsconfigJson(): string {
  const json = {
    compilerOptions: {
      target: 'ES2022',
      module: 'node16',
      moduleResolution: 'node16',
      lib: ['ES2022'],
      types: ['node'],
      strict: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
      declaration: true,
      sourceMap: true,
      skipLibCheck: true,
      rootDir: '.',
      outDir: 'dist',
    },
    include: ['src', 'test'],
  };
  return JSON.stringify(json, null, 2) + '\n';
}

/** vendor/ stays: it holds the core tarball `npm install` needs. Packed plugins are at the top. */
export function gitignore(): string {
  return 'node_modules/\ndist/\n/*.tgz\n';
}

export function manifestModule(n: TemplateNames): string {
  return `// The manifest module: package.json's "flowcast.manifest" names its compiled form. The registry
// loads it in a separate process to read the descriptors, so keep it free of side effects.
import { definePlugin } from '@flowcast/core';
import { ${n.descriptorName} } from './descriptor';

export default definePlugin({ components: [${n.descriptorName}] });
`;
}

export function readme(o: PackageFileOptions): string {
  const n = o.names;
  const tarball = tarballName(n.packageName);
  return `# ${n.packageName}

${o.template.summary} A Flowcast plugin: it gives a Flowcast project the component type
\`${n.type}\`, of kind ${o.kind}.

## Build and test

\`\`\`sh
npm install
npm test          # builds with tsc, then runs test/*.test.ts
\`\`\`
${
  o.coreDependency.startsWith('file:')
    ? `
\`npm install\` installs \`@flowcast/core\` from \`${o.coreDependency.slice('file:'.length)}\`, a tarball of the core that
wrote this package, for building and testing; keep it with the sources.
`
    : ''
}
The tests use the test kit, \`@flowcast/core/testing\`: \`loadPluginUnderTest\` reads this package as
Flowcast's registry does, \`validate\` reports what \`flowcast validate\` would say of some properties,
and \`run\` plays the component in a real GStreamer pipeline between test sources and a capture, so
a test can check the caps and the data it produced.

## Use it in a Flowcast project

\`\`\`sh
npm pack                                    # builds and writes ${tarball}
cd /path/to/your/project
npx flowcast plugin add /path/to/${tarball}
npx flowcast inspect ${n.type}
\`\`\`

A flow that uses it:

\`\`\`yaml
name: example
components:
${o.template.flowExample(n)}
\`\`\`

## Where things are

| file | what is there |
| --- | --- |
| \`src/descriptor.ts\` | what the registry knows without loading the code: type, kind, eaters, feeders, GStreamer elements, property schema |
| \`src/${n.type}.ts\` | the component class: the GStreamer elements it adds and how they link |
| \`src/index.ts\` | the manifest module, named by \`flowcast.manifest\` in package.json |
| \`test/${n.type}.test.ts\` | its tests, with \`@flowcast/core/testing\` |

## Publishing

\`npm publish\` publishes \`dist/src\` and this README (\`prepack\` builds first). \`@flowcast/core\`
is a peer dependency, \`${o.peerRange}\`: the core versions this plugin is made for. While core
is 0.x a minor version may change the plugin API, so raise the range when you test against a new
minor version. The devDependency on \`@flowcast/core\` is only for building and testing here.
`;
}
