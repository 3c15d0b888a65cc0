export { createBalancer, type Balancer, type BalanceAlgorithm } from './balancer.js';
export { WeightedRoundRobin } from './weighted-round-robin.js';
export { LeastConnections } from './least-connections.js';
export { RandomTwoChoices } from './random-two-choices.js';
