import type { ProgramCapture } from "../lib/mock-run";
import { azureRules } from "./azure";
import { kubernetesRules } from "./kubernetes";
import { PlanView, type DeployabilityFinding, type DeployabilityRule } from "./rule";

export { formatFindings, PlanView, type DeployabilityFinding, type DeployabilityRule } from "./rule";

export const deployabilityRules: readonly DeployabilityRule[] = [...kubernetesRules, ...azureRules];

/** Every rule over the plan; rules for a platform the plan does not use find nothing. */
export function checkDeployability(
    capture: ProgramCapture,
    rules: readonly DeployabilityRule[] = deployabilityRules,
): DeployabilityFinding[] {
    const plan = new PlanView(capture);
    return rules.flatMap((rule) => rule.check(plan));
}
