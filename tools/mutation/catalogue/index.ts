export { azureMutations } from "./azure";
export { configMutations } from "./config";
export { kubernetesMutations } from "./kubernetes";
export { namespaceMutations, podSecurityMutations } from "./pod-security";
