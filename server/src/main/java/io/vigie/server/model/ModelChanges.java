package io.vigie.server.model;

/**
 * How models come and go: on a single instance, straight in its {@link Models}; in a cluster,
 * through the cluster's control topic, so that every instance makes the same change in the same
 * order. Both are blocking: call them off the event loop.
 */
public interface ModelChanges {
    /**
     * Creates a model and returns its writer on this instance.
     *
     * @throws io.vigie.server.ApiProblem 409 if the name is taken, 422 if the model cannot be built
     */
    ModelWriter create(ModelDefinition definition);

    /** Deletes a model and returns the version it had here (null for one that could not be opened). */
    Long delete(String name);
}
