package dev.ovis.serve.video.decode;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FfmpegProgramsTests {

    @Test
    void aMissingLibraryIsNamedWithTheDebianPackageThatShipsIt() {
        // given the loader's error on a fresh Debian 12 machine
        String error = "/root/.javacpp/cache/ffmpeg-linux-x86_64.jar/org/bytedeco/ffmpeg/linux-x86_64/libjniavdevice.so:"
                + " libpulse.so.0: cannot open shared object file: No such file or directory";
        // when
        String message = FfmpegPrograms.fix(error);
        // then
        assertThat(message).startsWith(error).contains("`sudo apt-get install libpulse0`")
                .contains("tools/setup-machine.sh --local-run");
    }

    @Test
    void theProgramsOwnLoaderErrorNamesItsPackageToo() {
        String message = FfmpegPrograms.fix("ffmpeg: error while loading shared libraries: libva.so.2: "
                + "cannot open shared object file: No such file or directory");
        assertThat(message).contains("`sudo apt-get install libva2`");
    }

    @Test
    void anUnrecognisedFailureStillSaysWhichPackagesTheProgramsNeed() {
        String message = FfmpegPrograms.fix("Segmentation fault");
        assertThat(message).contains("libpulse0 libva2 libva-drm2 libasound2");
    }
}
