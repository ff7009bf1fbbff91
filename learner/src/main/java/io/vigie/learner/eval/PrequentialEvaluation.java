package io.vigie.learner.eval;

import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.learner.AlertBudget;
import io.vigie.learner.ClassProbabilities;
import io.vigie.learner.Ensemble;
import io.vigie.learner.EventStream;
import io.vigie.learner.LabelledEvent;
import io.vigie.learner.Learner;
import io.vigie.learner.LearnerException;
import io.vigie.learner.Model;
import io.vigie.learner.Prediction;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.stream.DoubleStream;

/**
 * Test-then-train evaluation with label delay, broadcast to several models at once (the model
 * and its naive baselines see exactly the same events in the same order). Each label reaches a
 * model together with the prediction it made for that event, so conformal calibration, like
 * learning, only ever uses labels that are due.
 *
 * <p>For each event t: first every waiting event whose label is due ({@link LabelDelay}) is learned,
 * oldest first; then every learner predicts t, unlabelled; then t waits for its label (and is
 * learned at once if its label is already due, as with no delay). With a
 * delay of k events this is MOA's {@code EvaluatePrequentialDelayed -k k -p 0}; with 0 it is
 * {@code EvaluatePrequential}. Labels of the last events, not yet due when the stream ends, are
 * never learned, as in MOA.
 *
 * <p>With an {@linkplain #implicitLabels implicit label}, as a fraud platform's feeds give them,
 * labels of the implicit class are never delivered: an event waits for its implicit period and is
 * then learned as that class, unless its true label (of another class, at the delay) came first.
 * A true label that comes after the implicit one is a correction: the event is learned again with
 * its true class, as the service does.
 */
public final class PrequentialEvaluation {
    /** How often, in events, progress is reported. */
    private static final int PROGRESS_EVERY = 4096;

    private final LabelDelay delay;
    private final int window;
    private final int positive;
    private final Progress progress;
    private final LongSupplier nanoTime;
    private long periodFrom = Long.MIN_VALUE;
    private long periodTo = Long.MIN_VALUE;
    private int implicitClass = -1;
    private LabelDelay implicitAfter;
    private List<String> referenceNames = List.of();
    private List<Model> references = List.of();

    /** Receives progress during a run: events so far and the stream's fraction read (or -1). */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (events, fraction) -> { };

        void update(long events, double fraction);
    }

    /**
     * @param delay    when labels become known
     * @param window   size of the windowed metrics (events)
     * @param positive class index scored for ROC-AUC and PR-AUC on binary streams
     * @param progress progress receiver
     * @param nanoTime the clock that times the run (injected so tests can fix it)
     */
    public PrequentialEvaluation(LabelDelay delay, int window, int positive, Progress progress, LongSupplier nanoTime) {
        if (window <= 0) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        this.delay = delay;
        this.window = window;
        this.positive = positive;
        this.progress = progress;
        this.nanoTime = nanoTime;
    }

    /**
     * Also reports ranking metrics over the events whose time is in [fromMillis, toMillis), as
     * {@link LearnerResult#period()}. Learning is unchanged: every event still counts.
     */
    public PrequentialEvaluation reportPeriod(long fromMillis, long toMillis) {
        this.periodFrom = fromMillis;
        this.periodTo = toMillis;
        return this;
    }

    /**
     * Labels of class {@code classIndex} are never delivered: an event whose true label has not come
     * {@code after} it is learned as that class (a later true label of another class corrects it).
     */
    public PrequentialEvaluation implicitLabels(int classIndex, LabelDelay after) {
        this.implicitClass = classIndex;
        this.implicitAfter = after;
        return this;
    }

    /**
     * Also runs reference models, such as the naive baselines, scored on their decisions alone:
     * they predict and learn the same events, reported after the models, without prediction sets,
     * uncertainty or calibration ({@link LearnerResult#trust()} is null). A baseline's sets cost
     * an evaluation as much as the model's own and tell nothing the model's do not. Only their
     * learners learn the labels: a decision rule that learns from labels (a committee's kappa
     * line) stays where it started, so references are for learners decided by the most probable
     * class, costs or a budget.
     */
    public PrequentialEvaluation references(List<String> names, List<Model> models) {
        if (names.size() != models.size()) {
            throw new IllegalArgumentException("one name per reference model");
        }
        this.referenceNames = List.copyOf(names);
        this.references = List.copyOf(models);
        return this;
    }

    /** Runs the stream through the models (name, model) and reports each one's result, then each reference's. */
    public EvaluationReport run(EventStream stream, List<String> names, List<Model> models) {
        if (names.size() != models.size() || models.isEmpty()) {
            throw new IllegalArgumentException("one name per model, at least one model");
        }
        int numClasses = stream.schema().numClasses();
        boolean binary = numClasses == 2;
        if (binary && (positive < 0 || positive > 1)) {
            throw new IllegalArgumentException("positive class index must be 0 or 1: " + positive);
        }
        List<Model> everyModel = new ArrayList<>(models); // the references after the models
        everyModel.addAll(references);
        List<String> everyName = new ArrayList<>(names);
        everyName.addAll(referenceNames);
        int all = everyModel.size();
        List<Score> scores = new ArrayList<>();
        for (int i = 0; i < all; i++) {
            scores.add(new Score(numClasses, window, binary ? positive : -1, periodTo > periodFrom));
        }
        long[][] onlyRight = new long[all][all];
        boolean[] right = new boolean[all];
        Deliveries deliveries = new Deliveries();
        DailyVolume days = new DailyVolume();
        long start = nanoTime.getAsLong();
        long t = 0;
        while (stream.hasNext()) {
            LabelledEvent event = stream.next();
            t++;
            if ((delay.needsTime() || implicitAfter != null && implicitAfter.needsTime()) && event.timeMillis() == LabelledEvent.NO_TIME) {
                throw new LearnerException("a delay in time (" + delay + ") needs event times: name the time column");
            }
            deliveries.learnDue(models, t, event.timeMillis());
            Instance instance = event.instance();
            int truth = (int) instance.classValue();
            Instance unlabelled = stream.schema().withoutLabel(instance);
            boolean inPeriod = event.timeMillis() >= periodFrom && event.timeMillis() < periodTo;
            Prediction[] predictions = new Prediction[models.size()];
            days.next(event.timeMillis());
            for (int i = 0; i < all; i++) {
                Model model = everyModel.get(i);
                if (model.operatingPoint() instanceof AlertBudget budget) {
                    budget.expectVolume(days.volume());
                }
                ClassProbabilities decided;
                if (i < models.size()) {
                    predictions[i] = model.predict(unlabelled);
                    scores.get(i).addSets(predictions[i], truth);
                    decided = predictions[i].probabilities();
                } else {
                    decided = model.decide(unlabelled);
                }
                scores.get(i).add(decided, truth, positive, event, inPeriod);
                right[i] = decided.label() == truth;
            }
            countOnlyRight(right, onlyRight);
            deliveries.add(new Waiting(t, event, predictions), truth);
            deliveries.learnDue(models, t, event.timeMillis()); // with no delay, t's own label is due at once
            if (t % PROGRESS_EVERY == 0) {
                progress.update(t, stream.progress());
            }
        }
        double seconds = (nanoTime.getAsLong() - start) / 1e9;
        progress.update(t, 1.0);
        List<LearnerResult> results = new ArrayList<>();
        for (int i = 0; i < all; i++) {
            Learner learner = everyModel.get(i).learner();
            int resets = learner instanceof Ensemble ensemble ? ensemble.resets().size() : 0;
            boolean sets = i < models.size(); // a reference has none
            results.add(scores.get(i).result(everyName.get(i), learner.spec().displayName(), resets, positive, sets));
        }
        EvaluationReport.Implicit implicit = implicitAfter == null ? null
                : new EvaluationReport.Implicit(implicitClass, implicitAfter, deliveries.implied, deliveries.corrections);
        return new EvaluationReport(stream.name(), t, delay, window, positive, results, onlyRight, seconds, implicit);
    }

    /** For the paired comparison of every two learners: counts each event one got right and the other wrong. */
    private static void countOnlyRight(boolean[] right, long[][] onlyRight) {
        for (int i = 0; i < right.length; i++) {
            if (right[i]) {
                for (int j = 0; j < right.length; j++) {
                    onlyRight[i][j] += right[j] ? 0 : 1;
                }
            }
        }
    }

    /**
     * The labels waiting to be learned, in two queues when labels are implicit: the true labels (at
     * the delay) and the implicit ones (at the implicit period). Each queue is in order of its due
     * point; between them, the earlier due point goes first, then the earlier event (so that an
     * implicit period equal to the delay learns exactly what the delay alone would), and an
     * event's true label before its implied one.
     */
    private final class Deliveries {
        final ArrayDeque<Waiting> labels = new ArrayDeque<>();
        final ArrayDeque<Waiting> implicit = new ArrayDeque<>();
        long implied;
        long corrections;

        void add(Waiting waiting, int truth) {
            if (implicitAfter != null) {
                implicit.addLast(waiting);
            }
            if (truth != implicitClass) {
                labels.addLast(waiting);
            }
        }

        /** Learns every label due when event {@code now} arrives, in order. */
        void learnDue(List<Model> models, long now, long nowTime) {
            while (true) {
                boolean label = !labels.isEmpty() && labels.peekFirst().isDue(delay, now, nowTime);
                boolean implication = !implicit.isEmpty() && implicit.peekFirst().isDue(implicitAfter, now, nowTime);
                if (label && implication) { // both due: the earlier first, then the earlier event, the true label when they cannot be compared
                    Waiting i = implicit.peekFirst();
                    Waiting l = labels.peekFirst();
                    long byDue = Long.compare(dueAt(i, implicitAfter), dueAt(l, delay));
                    implication = delay.needsTime() == implicitAfter.needsTime() && (byDue < 0 || byDue == 0 && i.index < l.index);
                    label = !implication;
                }
                if (label) {
                    Waiting due = labels.pollFirst();
                    corrections += due.implied ? 1 : 0;
                    due.delivered = true;
                    learn(models, due, due.event.instance());
                } else if (implication) {
                    Waiting due = implicit.pollFirst();
                    if (!due.delivered) {
                        Instance asImplied = due.event.instance().copy();
                        asImplied.setClassValue(implicitClass);
                        due.implied = true;
                        implied++;
                        learn(models, due, asImplied);
                    }
                } else {
                    return;
                }
            }
        }

        private void learn(List<Model> models, Waiting due, Instance labelled) {
            for (int i = 0; i < models.size(); i++) {
                models.get(i).learn(labelled, due.predictions[i]);
            }
            for (Model reference : references) {
                reference.learner().learn(labelled);
            }
        }

        /** Where a waiting event's label falls due: a time, or an event index (comparable between delays of one kind). */
        private static long dueAt(Waiting waiting, LabelDelay after) {
            return after instanceof LabelDelay.Time time ? waiting.event.timeMillis() + time.span().toMillis()
                    : waiting.index + ((LabelDelay.Events) after).k();
        }
    }

    /** An event waiting for its label, with what each model predicted for it; whether its label was implied or came. */
    private static final class Waiting {
        final long index;
        final LabelledEvent event;
        final Prediction[] predictions;
        boolean implied;
        boolean delivered;

        Waiting(long index, LabelledEvent event, Prediction[] predictions) {
            this.index = index;
            this.event = event;
            this.predictions = predictions;
        }

        boolean isDue(LabelDelay delay, long now, long nowTime) {
            return delay.isDue(index, event.timeMillis(), now, nowTime);
        }
    }

    /** One learner's running score. */
    private static final class Score {
        final ClassificationMetrics cumulative;
        final ClassificationMetrics windowed;
        final BinaryRanking ranking;
        long irregular;
        long noOpinion;
        long covered;
        final int window;
        long coveredInWindow;
        final DoubleStream.Builder coverageByWindow = DoubleStream.builder();
        long setSizes;
        long abstained;
        long answeredCorrect;
        CardPrecision cards;
        /** Card precision over the report period alone: as the Handbook scores a test week, cards caught before it are not known. */
        final CardPrecision periodCards = new CardPrecision(100);
        final BinaryRanking periodRanking;
        /** The figures estimated before the labels, beside the realised ones (a reference has none). */
        final EstimateTrack estimates;
        long periodEvents;
        long periodCorrect;
        /** Alerts per day of event time, over the days between the first and the last (both partial). */
        long firstDay = Long.MIN_VALUE;
        long currentDay = Long.MIN_VALUE;
        long alertsToday;
        long alertsInWholeDays;
        long wholeDays;

        /** @param positive the class scored for ranking on binary streams, -1 otherwise */
        Score(int numClasses, int window, int positive, boolean period) {
            boolean binary = positive >= 0;
            this.window = window;
            estimates = new EstimateTrack(positive, window);
            cumulative = new ClassificationMetrics(numClasses);
            windowed = new ClassificationMetrics(numClasses, window);
            ranking = binary ? new BinaryRanking() : null;
            periodRanking = binary && period ? new BinaryRanking() : null;
        }

        /** How a model's prediction set, abstention and estimate did (a reference model has none). */
        void addSets(Prediction prediction, int truth) {
            estimates.add(prediction, truth);
            int hit = prediction.covers(truth) ? 1 : 0;
            covered += hit;
            coveredInWindow += hit;
            if ((cumulative.count() + 1) % window == 0) {
                coverageByWindow.add((double) coveredInWindow / window);
                coveredInWindow = 0;
            }
            setSizes += prediction.predictionSet().size();
            if (prediction.abstain()) {
                abstained++;
            } else if (prediction.label() == truth) {
                answeredCorrect++;
            }
        }

        /** How a decision did: accuracy and the rest, ranking, alerts, card precision. */
        void add(ClassProbabilities p, int truth, int positive, LabelledEvent event, boolean inPeriod) {
            if (ranking != null && event.timeMillis() != LabelledEvent.NO_TIME) {
                countAlert(Math.floorDiv(event.timeMillis(), DailyVolume.DAY_MILLIS), p.label() == positive);
            }
            if (periodRanking != null && inPeriod) {
                periodRanking.add(p.probability(positive), truth == positive);
                if (event.entity() != LabelledEvent.NO_ENTITY) {
                    periodCards.add(event.timeMillis(), event.entity(), p.probability(positive), truth == positive);
                }
                periodEvents++;
                periodCorrect += p.label() == truth ? 1 : 0;
            }
            if (ranking != null && event.entity() != LabelledEvent.NO_ENTITY && event.timeMillis() != LabelledEvent.NO_TIME) {
                if (cards == null) {
                    cards = new CardPrecision(100);
                }
                cards.add(event.timeMillis(), event.entity(), p.probability(positive), truth == positive);
            }
            cumulative.add(p.label(), truth);
            windowed.add(p.label(), truth);
            if (ranking != null) {
                ranking.add(p.probability(positive), truth == positive);
            }
            irregular += p.irregular() ? 1 : 0;
            noOpinion += p.noOpinion() ? 1 : 0;
        }

        private void countAlert(long day, boolean alert) {
            if (day != currentDay) {
                if (currentDay != firstDay) {
                    alertsInWholeDays += alertsToday;
                    wholeDays++;
                }
                firstDay = firstDay == Long.MIN_VALUE ? day : firstDay;
                currentDay = day;
                alertsToday = 0;
            }
            alertsToday += alert ? 1 : 0;
        }

        LearnerResult result(String name, String spec, int driftResets, int positive, boolean sets) {
            int scored = ranking == null ? -1 : positive; // precision and recall of the positive class of a binary stream
            double cardPrecision = cards == null ? Double.NaN : cards.mean();
            LearnerResult.Period period = periodRanking == null ? null : new LearnerResult.Period(periodEvents,
                    (double) periodCorrect / periodEvents, periodRanking.prAuc(), periodCards.mean());
            long n = cumulative.count();
            LearnerResult.Trust trust = !sets ? null : new LearnerResult.Trust((double) covered / n, (double) setSizes / n,
                    (double) abstained / n, (double) answeredCorrect / (n - abstained), coverageByWindow.build().toArray());
            return new LearnerResult(name, spec, LearnerResult.Metrics.of(cumulative, scored), LearnerResult.Metrics.of(windowed, scored),
                    irregular, noOpinion, ranking == null ? Double.NaN : ranking.rocAuc(),
                    ranking == null ? Double.NaN : ranking.prAuc(), trust, driftResets, cardPrecision, period,
                    ranking == null || wholeDays == 0 ? Double.NaN : (double) alertsInWholeDays / wholeDays,
                    sets ? estimates.result() : null);
        }
    }
}
