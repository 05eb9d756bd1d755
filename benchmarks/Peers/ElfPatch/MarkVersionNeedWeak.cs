// MSBuild task (compiled by RoslynCodeTaskFactory, see MarkVersionNeedWeak.targets): marks one
// version requirement of an ELF64 little-endian shared library weak, i.e. sets VER_FLG_WEAK in the
// vna_flags of the Elf64_Vernaux entry with that name in the SHT_GNU_verneed section. The dynamic
// loader then accepts a dependency that lacks the version instead of refusing to load the library.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class MarkVersionNeedWeak : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>The library to patch (a copy in the build output, never a shared file).</summary>
    [Required]
    public string File { get; set; } = "";

    /// <summary>The version requirement to mark weak, e.g. GLIBCXX_3.4.32.</summary>
    [Required]
    public string Version { get; set; } = "";

    public override bool Execute()
    {
        byte[] elf = System.IO.File.ReadAllBytes(File);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
        {
            Log.LogError($"{File} is not a 64-bit little-endian ELF file.");
            return false;
        }

        long sectionHeaders = (long)U64(elf, 0x28);
        int sectionHeaderSize = U16(elf, 0x3A);
        int sections = U16(elf, 0x3C);
        for (int s = 0; s < sections; s++)
        {
            int header = checked((int)(sectionHeaders + ((long)s * sectionHeaderSize)));
            if (U32(elf, header + 4) != ShtGnuVerneed)
            {
                continue;
            }

            int verneed = checked((int)U64(elf, header + 24));
            int strings = checked((int)U64(elf, checked((int)(sectionHeaders + ((long)U32(elf, header + 40) * sectionHeaderSize))) + 24));
            int needs = (int)U32(elf, header + 44);

            // Elf64_Verneed: vn_version, vn_cnt (u16), vn_file, vn_aux, vn_next (u32).
            // Elf64_Vernaux: vna_hash (u32), vna_flags, vna_other (u16), vna_name, vna_next (u32).
            int need = verneed;
            for (int n = 0; n < needs; n++)
            {
                int aux = need + (int)U32(elf, need + 8);
                for (int a = 0; a < U16(elf, need + 2); a++)
                {
                    if (Name(elf, strings + (int)U32(elf, aux + 8)) == Version)
                    {
                        return SetWeak(elf, aux + 4);
                    }

                    aux += (int)U32(elf, aux + 12);
                }

                need += (int)U32(elf, need + 12);
            }
        }

        Log.LogMessage(MessageImportance.Normal, $"{Path.GetFileName(File)} does not require {Version}; nothing to change.");
        return true;
    }

    private bool SetWeak(byte[] elf, int flagsOffset)
    {
        ushort flags = U16(elf, flagsOffset);
        if ((flags & VerFlgWeak) != 0)
        {
            Log.LogMessage(MessageImportance.Normal, $"{Path.GetFileName(File)}: {Version} is already weak.");
            return true;
        }

        elf[flagsOffset] = (byte)(flags | VerFlgWeak);

        // Write a new file in place of the old one, so a hard link to a shared copy is never written through.
        string temporary = File + ".weak-version.tmp";
        System.IO.File.WriteAllBytes(temporary, elf);
        System.IO.File.Delete(File);
        System.IO.File.Move(temporary, File);
        Log.LogMessage(MessageImportance.High, $"{Path.GetFileName(File)}: marked the {Version} requirement weak.");
        return true;
    }

    // Little-endian reads (the task targets netstandard, without System.Buffers.Binary).
    private static ushort U16(byte[] elf, int offset) => (ushort)(elf[offset] | (elf[offset + 1] << 8));

    private static uint U32(byte[] elf, int offset) => U16(elf, offset) | ((uint)U16(elf, offset + 2) << 16);

    private static ulong U64(byte[] elf, int offset) => U32(elf, offset) | ((ulong)U32(elf, offset + 4) << 32);

    private static string Name(byte[] elf, int offset)
    {
        int end = Array.IndexOf(elf, (byte)0, offset);
        return Encoding.ASCII.GetString(elf, offset, end - offset);
    }
}
