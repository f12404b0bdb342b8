export * from './catalog';
export * from './consumer';
export * from './envelope';
export * from './migration';
export * from './outbox.entity';
export * from './recorder';
export * from './relay';
