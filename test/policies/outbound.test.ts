// outbound-https and outbound-allow-list, from the compliant estate one change at a time.
import { describe } from "node:test";
import { api, Case, itReportsEachCase, setEnv } from "./cases";

const cases: Case[] = [
    {
        name: "external upstream over plain HTTP",
        mutate: (rs) => setEnv(api(rs), "REDMINE_BASE_URL", { value: "http://redmine.example.com" }),
        expect: [
            [
                "outbound-https",
                'Use an https:// URL for REDMINE_BASE_URL on container "api" (host redmine.example.com).',
            ],
        ],
    },
    {
        name: "upstream that is no URL",
        mutate: (rs) => setEnv(api(rs), "REDMINE_BASE_URL", { value: "redmine" }),
        expect: [["outbound-https", 'Set REDMINE_BASE_URL on container "api" to an absolute https:// URL.']],
    },
    {
        name: "in-cluster upstream over HTTP is allowed",
        mutate: (rs) => setEnv(api(rs), "SEARCH_BASE_URL", { value: "http://search:9200" }),
        expect: [],
    },
    {
        name: "no outbound allow-list",
        mutate: (rs) => setEnv(api(rs), "OUTBOUND_ALLOWED_HOSTS", undefined),
        expect: [
            [
                "outbound-allow-list",
                'Set OUTBOUND_ALLOWED_HOSTS on container "api" to the comma-separated hosts it may call.',
            ],
        ],
    },
    {
        name: "external upstream missing from the allow-list",
        mutate: (rs) => setEnv(api(rs), "OUTBOUND_ALLOWED_HOSTS", { value: "other.example.com" }),
        expect: [
            [
                "outbound-allow-list",
                'Add redmine.example.com (from REDMINE_BASE_URL) to OUTBOUND_ALLOWED_HOSTS on container "api".',
            ],
        ],
    },
];

describe("outbound policies", () => {
    itReportsEachCase(cases);
});
