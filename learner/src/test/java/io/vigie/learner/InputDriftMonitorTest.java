package io.vigie.learner;

import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.learner.monitor.InputDriftMonitor;
import io.vigie.learner.monitor.Severity;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The label-free drift monitor on MOA generator streams with known (or no) drift. */
class InputDriftMonitorTest {
    private static final String COMMITTEE = "committee -e ht,hat,nb,nochange";

    @Test
    void aStationaryStreamOf100kEventsRaisesNoAlert() {
        EventStream stream = DriftStreams.agrawal(1, 1, 50_000, 100_000);
        InputDriftMonitor monitor = new InputDriftMonitor(stream.schema());
        run(stream, model(stream), monitor, Long.MAX_VALUE);
        assertEquals(100, monitor.checks());
        List<InputDriftMonitor.Alert> alerts = monitor.alerts().stream()
                .filter(a -> a.result().severity() == Severity.ALERT).toList();
        assertEquals(List.of(), alerts);
    }

    @Test
    void aVirtualDriftRaisesInputAlertsButNoMemberReset() {
        EventStream stream = DriftStreams.agrawalSalaryShift(1, 30_000, 60_000);
        InputDriftMonitor monitor = new InputDriftMonitor(stream.schema());
        Model model = model(stream);
        run(stream, model, monitor, Long.MAX_VALUE);

        List<InputDriftMonitor.Alert> alerts = monitor.alerts().stream()
                .filter(a -> a.result().severity() == Severity.ALERT).toList();
        assertTrue(alerts.stream().noneMatch(a -> a.observed() <= 30_000), "alert before the shift: " + alerts);
        for (String shifted : List.of("salary", "commission")) {
            assertTrue(alerts.stream().anyMatch(a -> a.result().channel().equals(shifted) && a.observed() <= 31_000),
                    shifted + " not alerted in the first window after the shift: " + alerts);
        }
        assertTrue(alerts.stream().noneMatch(a -> a.result().channel().equals("age")), "age did not move: " + alerts);
        assertEquals(List.of(), model.learner().state().resets(), "the concept did not change");
    }

    @Test
    void sameEvents_giveTheSameChecks_alsoAcrossASnapshot() throws Exception {
        EventStream first = DriftStreams.agrawal(1, 4, 5_000, 12_000);
        InputDriftMonitor whole = new InputDriftMonitor(first.schema());
        run(first, model(first), whole, Long.MAX_VALUE);

        EventStream second = DriftStreams.agrawal(1, 4, 5_000, 12_000);
        Model model = model(second);
        InputDriftMonitor half = new InputDriftMonitor(second.schema());
        run(second, model, half, 6_500);
        InputDriftMonitor restored = roundTrip(half);
        run(second, model, restored, Long.MAX_VALUE);

        assertEquals(12, whole.checks());
        assertEquals(whole.history(), restored.history());
        assertEquals(whole.alerts(), restored.alerts());
        assertTrue(whole.alerts().stream().anyMatch(a -> a.observed() == 6_000),
                "a function change moves the score and entropy: " + whole.alerts());
    }

    private static Model model(EventStream stream) {
        return new Model(Learners.create(new ModelSpec(COMMITTEE, 4), stream.schema()), AbstentionSettings.DEFAULTS);
    }

    /** Test-then-train, each scored event shown to the monitor, up to {@code limit} events. */
    private static void run(EventStream stream, Model model, InputDriftMonitor monitor, long limit) {
        for (long n = 0; n < limit && stream.hasNext(); n++) {
            Instance instance = stream.next().instance();
            Prediction p = model.predict(instance);
            monitor.observe(instance.toDoubleArray(), p, monitor.observed()); // time: the event's index
            model.learn(instance, p);
        }
    }

    private static InputDriftMonitor roundTrip(InputDriftMonitor monitor) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(monitor);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (InputDriftMonitor) in.readObject();
        }
    }
}
