// Runs `fn` in `db` when it already is a transaction (an audited write), else in a new one,
// retried on deadlocks and serialization failures: @vigil/db's helper, under the name the
// routes import.
export { inTransaction } from "@vigil/db";
