import type { SupergraphFixture } from '../harness';
import { entityInterfaces, interfaceObject, nestedLists, unionsAcross } from './abstract';
import { compoundKeys, provides, requiresArgs, requiresChain, shareable } from './entities';
import { errorsNonNull, errorsNullable, subgraphDown } from './errors';
import { feedAcross, providesNested } from './more';
import { directives, fragmentsAliases, mutations, subscriptions } from './operations';
import { productsReviews } from './products-reviews';

/** Every supergraph of the tier, each with its operations (see README.md for what each covers). */
export const supergraphs: SupergraphFixture[] = [
  compoundKeys,
  requiresArgs,
  provides,
  shareable,
  requiresChain,
  interfaceObject,
  entityInterfaces,
  unionsAcross,
  nestedLists,
  errorsNullable,
  errorsNonNull,
  subgraphDown,
  directives,
  fragmentsAliases,
  mutations,
  subscriptions,
  providesNested,
  feedAcross,
  productsReviews,
];
