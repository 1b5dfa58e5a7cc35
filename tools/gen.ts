/** `npm run gen`: regenerates the files derived from code metadata (Pulumi.yaml, README config reference). */
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "./lib/mock-run";
import { renderProjectFile } from "./lib/project-file";
import { renderConfigReference, replaceBetweenMarkers } from "./lib/readme";

fs.writeFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), renderProjectFile());
const readmePath = path.join(PROJECT_ROOT, "README.md");
fs.writeFileSync(readmePath, replaceBetweenMarkers(fs.readFileSync(readmePath, "utf8"), "config-reference", renderConfigReference()));
console.log("Wrote Pulumi.yaml and the README config reference");
