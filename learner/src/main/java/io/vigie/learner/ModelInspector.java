package io.vigie.learner;

import moa.classifiers.Classifier;
import moa.core.Measurement;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an MOA classifier's internals into a {@link ModelState}. MOA keeps ensemble members and
 * drift counters in protected fields, so this is the one place that reaches them by reflection;
 * a field a learner does not have is simply absent from the state. It deliberately avoids
 * {@code getModelMeasurements()}, which sizes the model through an agent that is not loaded.
 */
final class ModelInspector {
    /** Counters of adaptive trees that {@code getModelMeasurementsImpl} does not report. */
    private static final String[] TREE_COUNTERS = {"alternateTrees", "prunedAlternateTrees", "switchedAlternateTrees"};

    private ModelInspector() {
    }

    static ModelState inspect(Classifier classifier, long learned) {
        List<ModelState.Member> members = new ArrayList<>();
        if (read(classifier, "ensemble") instanceof Object[] ensemble) {
            for (int i = 0; i < ensemble.length; i++) {
                Object slot = ensemble[i];
                Classifier member = slot instanceof Classifier c ? c : (Classifier) read(slot, "classifier");
                if (member != null) {
                    members.add(new ModelState.Member(i, member.getClass().getName(), measurements(member),
                            counter(slot, "numberOfDriftsDetected"), counter(slot, "numberOfWarningsDetected")));
                }
            }
        }
        return new ModelState(classifier.getClass().getName(), learned, measurements(classifier), members, List.of(),
                Snapshots.serializedSize(classifier));
    }

    private static Map<String, Double> measurements(Classifier classifier) {
        Map<String, Double> values = new LinkedHashMap<>();
        Method impl = method(classifier.getClass(), "getModelMeasurementsImpl");
        if (impl != null) {
            try {
                if (impl.invoke(classifier) instanceof Measurement[] measured) {
                    for (Measurement m : measured) {
                        values.put(m.getName(), m.getValue());
                    }
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // an untrained learner may not be able to measure itself yet: report what we can
            }
        }
        for (String counter : TREE_COUNTERS) {
            if (read(classifier, counter) instanceof Number n) {
                values.put(counter, n.doubleValue());
            }
        }
        return values;
    }

    private static long counter(Object owner, String name) {
        return read(owner, name) instanceof Number n ? n.longValue() : -1;
    }

    private static Object read(Object owner, String name) {
        if (owner == null) {
            return null;
        }
        for (Class<?> type = owner.getClass(); type != null; type = type.getSuperclass()) {
            try {
                Field field = type.getDeclaredField(name);
                field.setAccessible(true);
                return field.get(owner);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    private static Method method(Class<?> start, String name) {
        for (Class<?> type = start; type != null; type = type.getSuperclass()) {
            try {
                Method method = type.getDeclaredMethod(name);
                method.setAccessible(true);
                return method;
            } catch (NoSuchMethodException e) {
                // look in the superclass
            } catch (RuntimeException e) {
                return null;
            }
        }
        return null;
    }
}
