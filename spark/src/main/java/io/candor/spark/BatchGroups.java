package io.candor.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;

/** The runs of consecutive rows that share a key column's value: a partition's batches, one at a time. */
final class BatchGroups implements Iterator<List<Row>> {
    private final Iterator<Row> rows;
    private final String key;
    private Row next;

    private BatchGroups(Iterator<Row> rows, String key) {
        this.rows = rows;
        this.key = key;
        this.next = rows.hasNext() ? rows.next() : null;
    }

    static BatchGroups of(Iterator<Row> rows, String key) {
        return new BatchGroups(rows, key);
    }

    @Override
    public boolean hasNext() {
        return next != null;
    }

    @Override
    public List<Row> next() {
        if (next == null) {
            throw new NoSuchElementException();
        }
        Object value = next.get(next.fieldIndex(key));
        List<Row> group = new ArrayList<>();
        while (next != null && value.equals(next.get(next.fieldIndex(key)))) {
            group.add(next);
            next = rows.hasNext() ? rows.next() : null;
        }
        return group;
    }
}
