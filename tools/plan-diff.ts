/**
 * `npm run plan:diff -- <before-dir> <after-dir>`: the differences between two plan directories
 * (`npm run plan -- --out <dir>`), JSON compared canonically. A refactoring that keeps behaviour
 * plans every stack and platform before and after and expects no difference.
 * Exit codes: 0 identical, 1 usage error, 2 the plans differ.
 */
import { diffPlans, renderDifferences } from "./lib/plan-diff";

const [before, after, ...rest] = process.argv.slice(2).filter((a) => a !== "--");
if (before === undefined || after === undefined || rest.length > 0 || before.startsWith("-")) {
    console.error("Usage: npm run plan:diff -- <before-dir> <after-dir>   (exit 0 identical, 2 different)");
    process.exit(before === "--help" || before === "-h" ? 0 : 1);
}
const differences = diffPlans(before, after);
if (differences.length === 0) {
    console.log(`${before} and ${after} plan the same resources, inputs and manifests.`);
    process.exit(0);
}
console.log(renderDifferences(differences));
process.exit(2);
