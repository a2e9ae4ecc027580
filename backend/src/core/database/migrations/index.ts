import { InitialSchema1763769600000 } from './1763769600000-InitialSchema';

/** Every migration, oldest first; listed explicitly so the same array works from sources and from dist. */
export const migrations = [InitialSchema1763769600000];
