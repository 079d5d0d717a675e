/**
 * The keys of a table that holds one record per stored batch (its proof, its gap): the
 * batch's gateway and sequence, which must name a stored batch. Both dialects' schemas use it.
 */
export const BATCH_RECORD_KEYS = `PRIMARY KEY (gateway_id, batch_sequence),
    FOREIGN KEY (gateway_id, batch_sequence) REFERENCES batches (gateway_id, sequence)`;
