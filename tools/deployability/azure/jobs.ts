/** Container Apps jobs that something waits for: a `Manual` job does nothing until it is started. */
import type { CapturedResource } from "../../lib/mock-run";
import type { DeployabilityRule, PlanView } from "../rule";
import { builtFromOfType, finding } from "./plan";

const APP = "azure-native:app:ContainerApp";
const JOB = "azure-native:app:Job";
const COMMAND = "command:local:Command";

/** Commands built from the job's outputs: the runs that start an execution of it. */
function runsOf(plan: PlanView, job: CapturedResource): CapturedResource[] {
    return plan.ofType(COMMAND).filter((c) => builtFromOfType(plan, c, "environment", JOB).some((j) => j === job));
}

export const azureManualJobRun: DeployabilityRule = {
    id: "azure-manual-job-run",
    source: "learn.microsoft.com/azure/container-apps/jobs (a Manual job runs only when started: `az containerapp job start` or the Start API; creating it starts nothing)",
    description:
        "A Container App ordered after a Manual job is deployed without the job ever having run, unless it waits for a run that started the job and saw it succeed",
    check(plan) {
        return plan.ofType(APP).flatMap((app) => {
            const waits = plan.waitsFor(app);
            const manualJobs = plan
                .ofType(JOB)
                .filter(
                    (job) =>
                        waits.has(job.urn) &&
                        (plan.inputs(job)["configuration"] as { triggerType?: string } | undefined)?.triggerType ===
                            "Manual",
                );
            return manualJobs.flatMap((job) => {
                const runs = runsOf(plan, job);
                if (runs.some((run) => waits.has(run.urn))) return [];
                return [
                    finding(
                        this.id,
                        app,
                        "dependsOn",
                        job.name,
                        runs.length === 0
                            ? `${job.name} is Manual and nothing starts it: add a command that runs \`az containerapp job start\` and waits for the execution to succeed (components/workload/azure/job-run.ts), and make the app depend on it`
                            : `make the app depend on ${runs[0]!.name}, so it waits for the job's execution to succeed, not only for the job to exist`,
                    ),
                ];
            });
        });
    },
};
