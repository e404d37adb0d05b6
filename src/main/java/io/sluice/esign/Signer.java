package io.sluice.esign;

/**
 * One signer of a contract: the template {@code role} they sign as (it must match a role in the provider's template),
 * name and email; {@code order} is the signing order when the template leaves it to the sender (null: the template's).
 */
public record Signer(String role, String name, String email, Integer order) {

    /** The first word of the name (PandaDoc wants first and last names apart). */
    public String firstName() {
        int space = name.indexOf(' ');
        return space < 0 ? name : name.substring(0, space);
    }

    public String lastName() {
        int space = name.indexOf(' ');
        return space < 0 ? "" : name.substring(space + 1).trim();
    }

    /** "Jane Roe <jane@example.com>", for notes. */
    public String describe() {
        return name + " <" + email + ">";
    }
}
