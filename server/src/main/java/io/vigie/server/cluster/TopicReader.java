package io.vigie.server.cluster;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread of this instance that reads one of the cluster's topics until it is closed. An error
 * it cannot go on from stops it: that is logged with what this instance can no longer do, and
 * kept ({@link #stoppedBy}) for the instance's health. Closing wakes its consumer up and waits
 * for the thread, which then lets go of its clients.
 */
abstract class TopicReader<K, V> implements AutoCloseable {
    private final Logger log = LoggerFactory.getLogger(getClass());
    private final String cluster;
    /** The reader's consumer: used on its thread only, but for the wake-up that closes it. */
    final KafkaConsumer<K, V> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile String stoppedBy;

    TopicReader(String threadName, String cluster, KafkaConsumer<K, V> consumer) {
        this.cluster = cluster;
        this.consumer = consumer;
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
    }

    /** Reads while {@link #running()}; a wake-up or an interruption on the way is the close. */
    abstract void read() throws InterruptedException;

    /** What this instance can no longer do once the reader stopped on an error, for the log. */
    abstract String whenStopped();

    /** Lets go of the clients the reader used, on its thread, once it stops: its consumer, and more where there are more. */
    void release() {
        consumer.close();
    }

    /** Starts the thread; once, when the reader is ready. */
    final void startReading() {
        thread.start();
    }

    final boolean running() {
        return running;
    }

    /** The error that stopped the reader, or null while it reads. */
    final String stoppedBy() {
        return stoppedBy;
    }

    private void run() {
        try {
            read();
        } catch (WakeupException | InterruptedException e) {
            // closing
        } catch (RuntimeException e) {
            stoppedBy = e.toString();
            log.error("cluster '{}': {}", cluster, whenStopped(), e);
        } finally {
            release();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
