// How TypeScript becomes JavaScript here, for the build (tools/build.mjs) and for Jest alike:
// legacy decorators with their metadata (NestJS and class-validator need both), CommonJS.
module.exports = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
};
