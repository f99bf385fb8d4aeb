/** The typed client: the SDK plus the generated TypedDocumentNodes and types (`npm run codegen`). */
export * from './sdk';
export * from './generated/graphql';
export * from './verify-inclusion';
