// class-transformer ships this module (its metadata storage, which class-validator-jsonschema reads
// for @Type) without a declaration at this path; its types live in class-transformer/types.
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
