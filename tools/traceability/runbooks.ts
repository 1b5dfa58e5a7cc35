/** The runbooks the requirements register is written from, by file name. */
export const RUNBOOK = {
    userApi: "000_23ca36ff17f3a8b1.txt",
    containerApps: "001_31f446762c5e9891.txt",
    rag: "002_fc15907ba13ea9a3.txt",
    summit: "003_eca27b310857406b.txt",
    ops: "004_c5a9e0042cfeb978.txt",
} as const;
