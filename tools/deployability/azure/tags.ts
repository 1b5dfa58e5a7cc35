/** Tags as ARM validates them. */
import { STORAGE_TAG_NAME_MAX, TAG_VALUE_MAX, TAGS_MAX, tagNameProblem } from "../../../components/platform/azure/tags";
import type { DeployabilityRule } from "../rule";
import { finding, isAzure } from "./plan";

export const azureTags: DeployabilityRule = {
    id: "azure-tags",
    source: "learn.microsoft.com/azure/azure-resource-manager/management/tag-resources, Limitations (InvalidTagNameCharacters; names <= 512, <= 128 on storage accounts; values <= 256; <= 50 tags)",
    description: "ARM refuses tag names with < > % & \\ ? /, over-long names or values, or more than 50 tags",
    check(plan) {
        return plan.resources.filter(isAzure).flatMap((r) => {
            const tags = plan.inputs(r)["tags"];
            if (!tags || typeof tags !== "object") return [];
            const entries = Object.entries(tags as Record<string, unknown>);
            const found = [];
            if (entries.length > TAGS_MAX)
                found.push(finding("azure-tags", r, "tags", entries.length, `keep at most ${TAGS_MAX} tags`));
            const nameMax = r.type === "azure-native:storage:StorageAccount" ? STORAGE_TAG_NAME_MAX : undefined;
            for (const [tagName, value] of entries) {
                const problem = tagNameProblem(tagName, nameMax);
                if (problem)
                    found.push(
                        finding(
                            "azure-tags",
                            r,
                            `tags["${tagName}"]`,
                            tagName,
                            `the tag name ${problem}: rename it (e.g. \`estate.io/tier\` → \`estate-tier\`)`,
                        ),
                    );
                if (typeof value === "string" && value.length > TAG_VALUE_MAX)
                    found.push(
                        finding(
                            "azure-tags",
                            r,
                            `tags["${tagName}"]`,
                            `${value.length} characters`,
                            `shorten the value to at most ${TAG_VALUE_MAX} characters`,
                        ),
                    );
            }
            return found;
        });
    },
};
