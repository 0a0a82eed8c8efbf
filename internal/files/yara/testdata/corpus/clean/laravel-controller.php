<?php

namespace App\Http\Controllers;

use Illuminate\Http\Request;
use Symfony\Component\Process\Process;

class ReportController extends Controller
{
    public function export(Request $request)
    {
        $validated = $request->validate(['format' => 'required|in:csv,pdf']);
        $process = new Process(['php', 'artisan', 'report:export', $validated['format']]);
        $process->run();
        $template = base64_decode(config('reports.template'));
        return response($process->getOutput() . $template);
    }

    public function preview()
    {
        $code = preg_replace('/[^a-z0-9_]/i', '', $_GET['name'] ?? '');
        return view('reports.preview', ['name' => $code]);
    }
}
