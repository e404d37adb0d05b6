package io.sluice.routes;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * The route files below {@code sluice.routes.dir}: every {@code *.camel.yaml}, through symbolic links, leaving out
 * entries whose name starts with a dot. A Kubernetes ConfigMap volume keeps its files in a hidden
 * {@code ..<timestamp>} folder behind a {@code ..data} link, and shows each one under its own name as a link into
 * {@code ..data}: read through those names, each file counts once, and an update (a swap of {@code ..data}) is seen.
 */
public final class RouteFiles {

    public static final String SUFFIX = ".camel.yaml";

    private RouteFiles() {
    }

    /** The route files, sorted; none when {@code dir} is not a directory. */
    public static List<Path> in(Path dir) throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        Files.walkFileTree(dir, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path folder, BasicFileAttributes attributes) {
                return !folder.equals(dir) && hidden(folder) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (attributes.isRegularFile() && !hidden(file) && file.getFileName().toString().endsWith(SUFFIX)) {
                    found.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        found.sort(null);
        return found;
    }

    private static boolean hidden(Path entry) {
        return entry.getFileName().toString().startsWith(".");
    }
}
