package org.jifen.api.privacy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Generated key files: readable by their owner only, and never overwritten, so that two
 * instances starting together end up with the same key.
 */
public final class KeyFiles {

	private KeyFiles() {
	}

	/**
	 * Writes a new key file unless one appeared meanwhile; either way the file's content.
	 */
	public static String createOrRead(Path file, String content) throws IOException {
		Files.createDirectories(file.toAbsolutePath().getParent());
		try {
			if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
				Files.createFile(file,
						PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
			}
			else {
				Files.createFile(file);
			}
			Files.writeString(file, content, StandardCharsets.UTF_8);
			return content;
		}
		catch (FileAlreadyExistsException ex) {
			return Files.readString(file, StandardCharsets.UTF_8);
		}
	}

}
