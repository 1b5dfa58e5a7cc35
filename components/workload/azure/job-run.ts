/**
 * Starting a manually triggered Container Apps job from `pulumi up` and waiting for it. A
 * `Manual` job runs only when started (learn.microsoft.com/azure/container-apps/jobs, "Manual
 * jobs"), and azure-native has no resource for an execution, so a `@pulumi/command` local
 * command starts one with the Azure CLI (`az containerapp job start`, whose answer names the
 * execution) and polls `az containerapp job execution show` until the execution's
 * `properties.status` is terminal (JobExecution in the Microsoft.App REST API: Running,
 * Processing, Stopped, Degraded, Failed, Unknown, Succeeded). A non-zero exit fails the deploy,
 * so nothing ordered after the run (the schema owner's new revision) is created or updated.
 */

/** Statuses after which the execution will not succeed any more. */
export const FAILED_EXECUTION_STATUSES = ["Failed", "Stopped"] as const;

/**
 * The bash the run command executes. Reads JOB_NAME, RESOURCE_GROUP, TIMEOUT_SECONDS and
 * optionally POLL_SECONDS (default 10) from its environment; needs `az` logged in to the
 * subscription (the deploy workflow's azure/login step).
 */
export const JOB_RUN_SCRIPT = `set -euo pipefail
execution=$(az containerapp job start --name "$JOB_NAME" --resource-group "$RESOURCE_GROUP" --query name --output tsv)
if [ -z "$execution" ]; then echo "az containerapp job start named no execution of $JOB_NAME" >&2; exit 1; fi
echo "started $JOB_NAME execution $execution"
deadline=$(( $(date +%s) + TIMEOUT_SECONDS ))
while :; do
  status=$(az containerapp job execution show --name "$JOB_NAME" --resource-group "$RESOURCE_GROUP" --job-execution-name "$execution" --query properties.status --output tsv)
  case "$status" in
    Succeeded) echo "$JOB_NAME execution $execution succeeded"; exit 0 ;;
    ${FAILED_EXECUTION_STATUSES.join("|")})
      echo "$JOB_NAME execution $execution ended $status; nothing ordered after it is deployed; its console logs are in the environment's Log Analytics workspace" >&2
      exit 1 ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "$JOB_NAME execution $execution still $status after $TIMEOUT_SECONDS s" >&2
    exit 1
  fi
  sleep "\${POLL_SECONDS:-10}"
done
`;

/** How long the run waits: every attempt of the job's replica timeout, plus start-up slack. */
export function jobRunTimeoutSeconds(replicaTimeoutSeconds: number, retries: number): number {
    return replicaTimeoutSeconds * (retries + 1) + 300;
}
