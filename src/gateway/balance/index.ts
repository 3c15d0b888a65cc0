export { createBalancer, type Balancer, type BalanceAlgorithm, type BalancerOptions } from './balancer.js';
export { WeightedRoundRobin } from './weighted-round-robin.js';
export { LeastConnections } from './least-connections.js';
export { RandomTwoChoices } from './random-two-choices.js';
export { ConsistentHash, hash32 } from './consistent-hash.js';
export { hashKey, hashOn, isHashBalance, type HashOn } from './hash-key.js';
