export * from './avito';
export * from './llm';
export * from './telegram';
