package io.vigie.server.model;

/**
 * How a model's definition is kept in its folder ({@code model.json}). The engine stores and reads
 * it without knowing the text: the wire package gives the JSON.
 */
public interface DefinitionFormat {
    byte[] encode(ModelDefinition definition);

    /** @throws io.vigie.server.ApiProblem when the bytes are not a valid definition */
    ModelDefinition decode(byte[] stored);
}
